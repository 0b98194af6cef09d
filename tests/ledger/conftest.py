import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # ledger_books (the tests run with --import-mode=importlib)
