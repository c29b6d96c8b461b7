"""Read models built from the published events (SQLAlchemy 2.x, SQLite or PostgreSQL).

`models/` holds one module per read model: its table(s), its event handlers and its queries.
Around them: `schema` (the shared MetaData and the projector's bookkeeping tables), `writer`
(the batch writer handlers write through), `dispatch` (assembles every model's handlers and
applies a batch), `database` (opens the database with every table), and the questions asked
across models: `partner_statuses`, `simulation` (rules what-if) and `compare` (audit replay).

May import contracts and domain only (checked by import-linter); consumers, infra, api and cli
build on it.
"""
