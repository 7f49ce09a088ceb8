"""Reports: the shipped CJK font, notebook → self-contained HTML, HTML → PDF."""
