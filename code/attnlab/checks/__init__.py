"""Exercise checks (all chapters): ``check_x(your_function)`` returns a :class:`CheckResult`.

A check never crashes the notebook because of the student's code; it says what to do instead.
Each chapter's checks live in their own module; they are all re-exported here.
"""

from .attention import *  # noqa: F403  Chapter 4
from .core import Case as Case
from .core import CheckResult as CheckResult
from .core import run_cases as run_cases
from .heads import *  # noqa: F403  Chapter 5
from .hinge import *  # noqa: F403  Chapter 2
from .induction import *  # noqa: F403  Chapter 6
from .line import *  # noqa: F403  Chapter 1
from .tokens import *  # noqa: F403  Chapter 3
