"""The after-action report of one emergency episode (`pingzhan aar`): its figures from the audit
trail and the stored events (``model.py`` and its parts, pure), read from the store (``read.py``),
and rendered as Markdown, HTML with plots, or JSON."""
