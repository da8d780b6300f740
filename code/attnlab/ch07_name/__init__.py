"""Chapter 7, "The sentence itself": a small transformer finishes "I'm called Keyvan, so my name is"."""
