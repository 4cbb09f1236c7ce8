"""The `plugin new` examples (sdk/python/templates/<kind>) pass their own unit tests."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


class TemplatesTest(unittest.TestCase):
    def test_every_template_passes_its_tests(self) -> None:
        for kind in ("transform", "predicate", "source", "sink"):
            with self.subTest(kind=kind), tempfile.TemporaryDirectory() as project:
                for name in ("app.py", "test_app.py"):
                    shutil.copy(os.path.join(ROOT, "templates", kind, name), project)
                shutil.copytree(os.path.join(ROOT, "wasm_connect"), os.path.join(project, "wasm_connect"))
                run = subprocess.run(
                    [sys.executable, "-m", "unittest", "-v"],
                    cwd=project,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
                )
                self.assertEqual(run.returncode, 0, run.stderr)
                self.assertIn("OK", run.stderr)
                self.assertNotIn("Ran 0 tests", run.stderr)


if __name__ == "__main__":
    unittest.main()
