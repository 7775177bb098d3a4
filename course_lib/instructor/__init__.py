"""The instructor's workflow: assign a different variant to every student, collect, grade, export.

No server: a command line plus files handed out and collected through whatever the instructor
already uses (an LMS, e-mail, a shared drive). The path, one module per step::

    roster.csv --roster--> students (every problem reported before anything is written)
      --assign--> release/NAME-<id>.ipynb per student (their variants, no key: see release)
                  + NAME.manifest.json for the instructor (seeds, questions, digests: manifest)
      --submissions (student side)--> answers autosaved; one NAME-<id>.submission.json to hand in
      --grade--> gradebook.csv, items.csv + distractors.csv (stats), PNG plots (plots),
                 feedback/<id>.md, problems.csv
      --export--> Canvas / Moodle gradebook CSV, Moodle GIFT question bank

Grading reuses the quiz engine unchanged: ``course_lib.quiz.variants`` recomputes each
student's variant from the seed and ``course_lib.quiz.grading`` marks it, exactly as in a
self-study quiz. The instructor guide is ``docs/instructors.md``.
"""
