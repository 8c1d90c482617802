"""The public record: what an engagement's organisation chooses to show without login — progress by stage,
public decisions, public indicators with their measurements — as JSON, Atom feeds and an open-data package.

Nothing here reads contact details, private persons' names, logins or non-public rows: the readers select
the public columns of the public rows only, so that a new private column cannot leak by accident.

The record also publishes the heads of the engagement's hash chain (``record.chain_heads``: now, and at the
end of each day that changed it), so that a reader who keeps them can show any later rewrite of the past; the
open-data package carries them for every such day (table ``tetes_registre``).
"""
