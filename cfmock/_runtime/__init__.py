"""The JavaScript runtime that runs connection functions (engine and its JavaScript files)."""
