"""PDF through reportlab: the document and redline writer and its paragraph markup."""
