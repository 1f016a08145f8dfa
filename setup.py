"""Maps the top-level folders into the import package ``medshare`` (docs/design.md §3).

``spec/`` becomes ``medshare.spec``, ``reference/`` ``medshare.reference``, and so on, so that nothing installs a
bare ``spec`` module. Subpackages are found by walking each folder.
"""

from setuptools import find_packages, setup

ROOTS = ("spec", "reference", "conformance", "models")
DATA = ["*.md", "*.json", "*.tla", "*.cfg", "**/*.json", "**/*.md", "**/*.tla", "**/*.cfg", "**/*.circom"]

packages = ["medshare"]
package_dir = {"medshare": "medshare"}
package_data = {}
for root in ROOTS:
    packages.append(f"medshare.{root}")
    package_dir[f"medshare.{root}"] = root
    package_data[f"medshare.{root}"] = DATA
    packages.extend(f"medshare.{root}.{sub}" for sub in find_packages(root))

setup(packages=packages, package_dir=package_dir, package_data=package_data)
