"""The command line: click, and only click; one module per command group."""
