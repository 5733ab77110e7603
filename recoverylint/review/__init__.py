"""`recoverylint review`: finished runs of a runbook against its required order."""
