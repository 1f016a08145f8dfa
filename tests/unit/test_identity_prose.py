"""spec/crypto/cbs.md and ibe.md stay in step with the code: every public function is described, every domain
tag the code uses is stated."""

from __future__ import annotations

import inspect
from pathlib import Path
from types import ModuleType

import pytest
from medshare.spec.crypto import cbs, ibe

SPEC = Path(cbs.__file__).parent


@pytest.mark.parametrize("module", [cbs, ibe])
def test_public_functions_are_in_the_prose(module: ModuleType) -> None:
    prose = (SPEC / (module.__name__.rsplit(".", 1)[1] + ".md")).read_text()
    public = [name for name, obj in vars(module).items() if inspect.isfunction(obj) and not name.startswith("_")
              and obj.__module__ == module.__name__ and name not in ("identity_bytes", "hkdf_sha256",
                                                                     "decode_public_key", "hash_cert",
                                                                     "hash_message", "hash_identity")]
    missing = [name for name in public if f"`{name}(" not in prose]
    assert not missing, missing


@pytest.mark.parametrize("module,tags", [(cbs, ["DST_CERT", "DST_MSG", "CERT_ID_TAG"]),
                                         (ibe, ["DST_ID", "KEM_INFO", "DEM_INFO", "READING_AD"])])
def test_domain_tags_are_in_the_prose(module: ModuleType, tags: list[str]) -> None:
    prose = (SPEC / (module.__name__.rsplit(".", 1)[1] + ".md")).read_text()
    for tag in tags:
        assert getattr(module, tag).decode() in prose, tag
