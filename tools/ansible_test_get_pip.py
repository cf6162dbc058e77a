"""Stand-in for the get-pip.py that ansible-test downloads: bootstraps pip from the standard library (ensurepip).

ansible-test sanity --venv fetches get_pip_24_2.py from the internet into ~/.ansible/test/cache/ the first time;
this machine only reaches package registries, so `make sanity` puts this file there instead. ansible-test runs it
with pip's options and the wanted pip (``pip==24.2``), which this script then installs from the package index.
"""

import ensurepip
import os
import subprocess
import sys


def main() -> None:
    requirements = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
    ensurepip.bootstrap(upgrade=True, default_pip=True)
    # ensurepip hides pip's configuration (PIP_CONFIG_FILE=/dev/null) for its own run; the index, certificates
    # and constraints of this machine's pip configuration are wanted for the real install.
    env = {key: value for key, value in os.environ.items() if key != "PIP_CONFIG_FILE"}
    if requirements:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", *requirements], check=True, env=env
        )


if __name__ == "__main__":
    main()
