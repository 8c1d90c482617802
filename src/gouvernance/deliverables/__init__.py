"""Deliverables: the documents a shared-governance engagement produces (reports, notes, plans, agreements).

``model`` holds the structured content, ``builders`` turn engagement facts into that content, and
``rendering`` turns it into HTML, PDF and DOCX behind the ``Renderer`` interface.
"""
