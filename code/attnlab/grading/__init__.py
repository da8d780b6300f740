"""The course's grader, behind `assignments/course.py` (`make assignments`, `make grade`).

One job per module (README.md has the map): `runner` runs the cells inside the sandbox,
`sandbox` starts it under bwrap, `rebuild` builds the notebook that runs, `score` compares the
recorded results with the instructor's, `gradebook` keeps the scores and stops on tampering,
`report` writes grades.csv and the feedback pages, `grade` runs a round, `cli` the commands.
"""
