"""Django's PostgreSQL backend with a pool that answers at once while the database is down.

`DATABASES[…]["ENGINE"] = "cooperation.postgresql"` (the settings set it).
"""
