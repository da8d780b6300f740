"""nbgrader settings for the course's classroom assignments (see book/teachers_guide.md).

nbgrader reads this file when it runs in this folder (`assignments/`), the course directory:
source/ holds the instructor versions, release/ the student versions, submitted/ the students'
work, autograded/ and feedback/ what grading makes, gradebook.db the scores.

nbgrader makes the student versions and keeps the gradebook; it does not run the students' code.
`course.py grade` (`make grade`) does, in a sandbox: its settings are environment variables,
ATTNLAB_CELL_TIMEOUT (seconds per cell, 60 by default), ATTNLAB_SANDBOX=off (run without bwrap)
and ATTNLAB_FEEDBACK_SHOW_HIDDEN=1 (feedback pages that show the hidden tests' results).
"""

from pathlib import Path

c = get_config()  # noqa: F821 (nbgrader provides get_config)

HERE = Path(__file__).resolve().parent
c.CourseDirectory.root = str(HERE)
c.CourseDirectory.course_id = "line-to-attention"

# If you run `nbgrader autograde` yourself (not recommended: student code then runs with your
# rights), a cell that loops forever is stopped after a minute.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
c.OverwriteCells.add_missing_cells = True
