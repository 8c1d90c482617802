"""The public record: what an engagement's organisation chooses to show without login — progress by stage,
public decisions, public indicators with their measurements — as JSON, Atom feeds and an open-data package.

Nothing here reads contact details, private persons' names, logins or non-public rows: the readers select
the public columns of the public rows only, so that a new private column cannot leak by accident.

Pending: the heads of the engagement's hash chain (issue 14, item 1) are built elsewhere and will be added
to the record and to the open-data package once that chain exists; nothing here stands in for them.
"""
