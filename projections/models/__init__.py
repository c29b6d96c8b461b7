"""The read models, one module each: its table(s), the handlers that fill them from events
(`HANDLERS`, event type -> handler), and the queries and views read from them."""
