"""The operator's console: schools on the service, their first admins' invites, suspending and offboarding."""
