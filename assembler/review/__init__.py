"""Section review rounds: rounds, feedback, the DOCX feedback reader, round papers."""
