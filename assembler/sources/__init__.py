"""What editors write: source files read safely, strict YAML, clause Markdown, clauses, templates, import."""
