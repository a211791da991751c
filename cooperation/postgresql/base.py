"""The backend: Django's own, with one change to how the pool hands out connections.

A pool waits up to its timeout for a connection, and while the database is down none
comes: each query of a request would wait the whole timeout again, and a page that touches
the database three times would answer its 503 after three timeouts. Here, once the pool
has timed out, the process asks it only for a connection it can give at once, until it
gives one again (the pool keeps reconnecting in the background). The outage costs one
timeout, then 503s at once.
"""

from __future__ import annotations

from django.db.backends.postgresql import base

# How long a connection request may wait while the pool is known to be failing.
FAILING_POOL_WAIT_SECONDS = 0.05


class DatabaseWrapper(base.DatabaseWrapper):
    # The aliases whose pool timed out in this process (shared by its threads).
    _failing_pools: set[str] = set()

    def get_new_connection(self, conn_params):
        from psycopg_pool import PoolTimeout

        pool = self.pool
        if pool is None:
            return super().get_new_connection(conn_params)
        try:
            if self.alias in self._failing_pools:
                pool.open()
                pool.putconn(pool.getconn(timeout=FAILING_POOL_WAIT_SECONDS))
            connection = super().get_new_connection(conn_params)
        except PoolTimeout:
            self._failing_pools.add(self.alias)
            raise
        self._failing_pools.discard(self.alias)
        return connection
