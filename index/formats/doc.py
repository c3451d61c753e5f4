"""Legacy Word reports (.doc): converted to text by ``antiword`` (Debian package, installed by ``make doctools``)
in UTF-8, one paragraph per line; refused with a clear message when antiword is not installed."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from index.formats.base import Extracted, ExtractOptions, refuse
from index.formats.text import require_chinese, to_simplified

TIMEOUT_S = 60


def read_doc(data: bytes, name: str, options: ExtractOptions) -> Extracted:
    exe = shutil.which("antiword")
    if exe is None:
        raise refuse(name, "legacy Word .doc needs the antiword tool, which is not installed here (`make doctools`); "
                           "save the report as .docx or PDF instead")
    with tempfile.NamedTemporaryFile(suffix=".doc") as f:
        f.write(data)
        f.flush()
        env = {**os.environ, "LC_ALL": "C.UTF-8"}
        try:
            run = subprocess.run([exe, "-m", "UTF-8.txt", "-w", "0", f.name], capture_output=True, timeout=TIMEOUT_S,
                                 env=env, check=False)
        except subprocess.TimeoutExpired:
            raise refuse(name, f"legacy Word .doc took more than {TIMEOUT_S}s to convert: corrupt?") from None
    if run.returncode != 0:
        why = run.stderr.decode("utf-8", "replace").replace(f.name, "the file").strip().splitlines()
        status = f"stopped by signal {-run.returncode}" if run.returncode < 0 else f"exit {run.returncode}"
        raise refuse(name, f"corrupt or unsupported legacy Word .doc (antiword: {why[-1] if why else status})")
    lines = [ln.strip() for ln in run.stdout.decode("utf-8", "replace").splitlines()]
    text = "\n".join(ln for ln in lines if ln)
    if not text:
        raise refuse(name, "legacy Word .doc without any text: empty")
    require_chinese(text, name)
    if options.to_simplified:
        text = to_simplified(text)
    return Extracted(text=text, format="doc", media_type="application/msword")
