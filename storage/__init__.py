"""Persistence: SQLModel tables, typed query functions, the engine and Alembic migrations.

Nothing here imports Slack. Every row belongs to one Slack workspace (`team_id`) and every query
function takes `team_id` and filters by it.
"""
