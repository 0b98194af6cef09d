"""The one build step pyproject.toml cannot say: ship rulebooks/ and schemas/ in the wheel.

The contract keeps them at the top of the repository; the wheel carries copies as package
data under engine/_data/, which engine.resources finds through importlib.resources.
Editable installs skip the copy and read the checkout's folders directly.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA_FOLDERS = ("rulebooks", "schemas")
DATA_SUFFIXES = (".yaml", ".yml", ".json", ".md")


class BuildPyWithData(build_py):
    """build_py, then the data folders copied into engine/_data/ of the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        root = Path(__file__).resolve().parent
        for folder in DATA_FOLDERS:
            for source in sorted((root / folder).rglob("*")):
                if source.is_file() and source.suffix in DATA_SUFFIXES:
                    target = Path(self.build_lib) / "engine" / "_data" / source.relative_to(root)
                    self.mkpath(str(target.parent))
                    self.copy_file(str(source), str(target))


setup(cmdclass={"build_py": BuildPyWithData})
