"""``python -m attnlab.complete --seed N "I'm called Keyvan, so my name is"`` (Chapter 7)."""

import sys

from attnlab.ch07_name.complete import main

if __name__ == "__main__":
    sys.exit(main())
