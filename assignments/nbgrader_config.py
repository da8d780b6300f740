"""nbgrader settings for the course's classroom assignments (see book/teachers_guide.md).

nbgrader reads this file when it runs in this folder (`assignments/`), the course directory:
source/ holds the instructor versions, release/ the student versions, submitted/ the students'
work, autograded/ and feedback/ what grading makes, gradebook.db the scores.
"""

import os
from pathlib import Path

from nbgrader.converters import Autograde
from nbgrader.preprocessors import LimitOutput, NbGraderPreprocessor

c = get_config()  # noqa: F821 (nbgrader provides get_config)

HERE = Path(__file__).resolve().parent
c.CourseDirectory.root = str(HERE)
c.CourseDirectory.course_id = "line-to-attention"

# A student's cell may loop forever: after this many seconds it is interrupted, it counts as an
# error in that cell, and grading goes on with the next cell (and the next student).
CELL_TIMEOUT = int(os.environ.get("ATTNLAB_CELL_TIMEOUT", "60"))
c.Execute.timeout = CELL_TIMEOUT
c.Execute.interrupt_on_timeout = True
c.Execute.error_on_timeout = {
    "ename": "CellTimeoutError",
    "evalue": f"this cell ran for more than {CELL_TIMEOUT} s and was stopped",
    "traceback": [
        f"CellTimeoutError: this cell ran for more than {CELL_TIMEOUT} s and was stopped. "
        "Is there a loop that never ends, or a function that calls itself forever?"
    ],
}

# A student who deletes a test cell does not dodge it: the cell is put back and run.
c.OverwriteCells.add_missing_cells = True

# Keep the graded notebooks and the feedback readable when a submission prints megabytes.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 60
MAX_OUTPUT_CHARS = 20_000


class LimitOutputSize(NbGraderPreprocessor):
    """Cuts every output of a cell to MAX_OUTPUT_CHARS characters (long single lines included)."""

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                output["text"] = _shorten(output.get("text", ""))
            for mime, value in list(output.get("data", {}).items()):
                text = value if isinstance(value, str) else "".join(value)
                if len(text) > MAX_OUTPUT_CHARS:
                    if mime == "text/plain":
                        output["data"][mime] = _shorten(text)
                    else:  # an image or HTML this large is not worth keeping in feedback
                        del output["data"][mime]
                        output["data"].setdefault(
                            "text/plain", f"[{mime} output removed: too large]"
                        )
        return cell, resources


def _shorten(text):
    if len(text) <= MAX_OUTPUT_CHARS:
        return text
    keep = MAX_OUTPUT_CHARS // 2
    cut = len(text) - 2 * keep
    return f"{text[:keep]}\n... [{cut} characters of output cut by the grader] ...\n{text[-keep:]}"


_steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
_steps.insert(_steps.index(LimitOutput) + 1, LimitOutputSize)
c.Autograde.autograde_preprocessors = _steps
