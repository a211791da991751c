"""The duty-of-care tables; each module holds one part (travel, incidents and roll calls)."""
