"""Models of this app arrive with its issue; the app is registered so it migrates from day one."""
