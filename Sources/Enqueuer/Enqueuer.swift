// Chat intake lands here with the intake issue.
