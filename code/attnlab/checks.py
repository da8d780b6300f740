"""Exercise checks (all chapters): ``check_x(your_function)`` returns a :class:`CheckResult`.

A check never crashes the notebook because of the student's code; it says what to do instead.
Each chapter's checks live in their own module; they are all re-exported here.
"""

from attnlab.ch01_line.checks import *  # noqa: F403  Chapter 1
from attnlab.ch02_hinge.checks import *  # noqa: F403  Chapter 2
from attnlab.ch03_next_token.checks import *  # noqa: F403  Chapter 3
from attnlab.ch04_attention.checks import *  # noqa: F403  Chapter 4
from attnlab.ch05_multi_head.checks import *  # noqa: F403  Chapter 5
from attnlab.ch06_copying_names.checks import *  # noqa: F403  Chapter 6
from attnlab.ch07_name.checks import *  # noqa: F403  Chapter 7
from attnlab.core.checks import Case as Case
from attnlab.core.checks import CheckResult as CheckResult
from attnlab.core.checks import run_cases as run_cases
