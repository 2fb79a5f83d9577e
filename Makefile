# Shortcuts for the two README commands (which need only Python, not make).
.PHONY: serve test
serve:
	python3 scripts/dev.py serve
test:
	python3 scripts/dev.py test
