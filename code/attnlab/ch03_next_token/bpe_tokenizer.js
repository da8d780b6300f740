// Chapter 3's byte-pair tokenizer (attnlab.ch03_next_token.tokenizer.BPETokenizer.encode) in plain
// JavaScript, for the web book (Chapter 7's page cuts the reader's sentence with it). Its data
// come from Python (BPETokenizer.spec): the merges, every token as text, and the characters that
// Python's regular expressions call word characters (\w) and white space (\s), as code-point
// ranges, so the text is cut into chunks exactly as Python's split_chunks cuts it:
//   " ?\w+| ?[^\w\s]+|\s+(?!\S)|\s+"
// Then each chunk's UTF-8 bytes are merged, earliest-learned merge first, as encode does.
var BpeTokenizer = (function () {
  "use strict";

  // [gap, extra, gap, extra, ...] -> the inside of a regular-expression class, "\u{61}-\u{7a}..."
  function charClass(ranges) {
    var out = "", after = 0;
    for (var i = 0; i < ranges.length; i += 2) {
      var lo = after + ranges[i], hi = lo + ranges[i + 1];
      out += "\\u{" + lo.toString(16) + "}" + (hi > lo ? "-\\u{" + hi.toString(16) + "}" : "");
      after = hi + 1;
    }
    return out;
  }

  // The index of the first lone surrogate (half of a UTF-16 pair) in text, or -1.
  function loneSurrogate(text) {
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        var n = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
        if (n >= 0xdc00 && n <= 0xdfff) { i++; continue; }
        return i;
      }
      if (c >= 0xdc00 && c <= 0xdfff) return i;
    }
    return -1;
  }

  function make(spec) {
    if (!spec || !Array.isArray(spec.merges) || !Array.isArray(spec.word) ||
        !Array.isArray(spec.space) || !Array.isArray(spec.strings)) {
      throw new Error("BpeTokenizer.make needs {merges, strings, word, space} from Python");
    }
    var W = charClass(spec.word), S = charClass(spec.space);
    var chunkSource = " ?[" + W + "]+| ?[^" + W + S + "]+|[" + S + "]+(?![^" + S + "])|[" + S + "]+";
    var rank = new Map();
    spec.merges.forEach(function (pair, k) { rank.set(pair[0] * 65536 + pair[1], k); });
    var utf8 = new TextEncoder(), cache = new Map();

    function chunks(text) {
      var out = [], re = new RegExp(chunkSource, "gu"), m;
      while ((m = re.exec(text)) !== null) out.push(m[0]);
      return out;
    }
    function encodeChunk(chunk) {
      if (cache.has(chunk)) return cache.get(chunk);
      var tokens = Array.from(utf8.encode(chunk));
      while (tokens.length > 1) {
        var best = Infinity, i;
        for (i = 0; i + 1 < tokens.length; i++) {  // the earliest-learned merge present
          var r = rank.get(tokens[i] * 65536 + tokens[i + 1]);
          if (r !== undefined && r < best) best = r;
        }
        if (best === Infinity) break;
        var a = spec.merges[best][0], b = spec.merges[best][1], merged = [];
        for (i = 0; i < tokens.length; i++) {  // every occurrence, left to right
          if (i + 1 < tokens.length && tokens[i] === a && tokens[i + 1] === b) {
            merged.push(256 + best);
            i++;
          } else {
            merged.push(tokens[i]);
          }
        }
        tokens = merged;
      }
      cache.set(chunk, tokens);
      return tokens;
    }
    function encode(text) {
      if (typeof text !== "string") throw new TypeError("text must be a string");
      var at = loneSurrogate(text);
      if (at >= 0) {
        throw new RangeError("the text holds a lone surrogate (half of a UTF-16 pair, not a " +
                             "character) at position " + at);
      }
      var ids = [];
      chunks(text).forEach(function (chunk) { ids.push.apply(ids, encodeChunk(chunk)); });
      return ids;
    }
    function pieces(text) {
      return encode(text).map(function (id) { return spec.strings[id]; });
    }
    return {encode: encode, pieces: pieces, chunks: chunks, strings: spec.strings,
            vocabSize: spec.strings.length, whiteSpace: S};
  }

  return {make: make, charClass: charClass, loneSurrogate: loneSurrogate};
})();
