"""Build-it checks by service, one module each (``sqs.py``, ``dynamodb.py``, ...).

Every module here is imported when ``course_lib.quiz.checks`` loads, so a chapter adds its
checks by adding a module that uses ``@build_check(name, solve=...)``; nothing else to edit.
"""
