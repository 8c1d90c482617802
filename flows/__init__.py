"""Prefect flows: thin shells over the domain services, batched so a run costs a bounded number of task runs.

Importing this package imports Prefect; nothing on the request path does.
"""
