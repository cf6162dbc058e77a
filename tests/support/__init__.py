"""What every test tree of the project shares (integration, emulator, the collection's unit tests, molecule, bench).

* ``aws``: the region, dummy credentials, boto3 clients for an endpoint (or for whatever the environment names).
* ``emulator``: the project's emulator on a free port (launcher, start / stop / reset, call log, playbook env).
* ``playbook``: ``ansible-playbook`` runs from the project root and their recap.
* ``modules``: a module's ``main()`` run in this process as Ansible runs it, and a stubbed module client.
* ``postgres``: a PostgreSQL + pgvector server of the emulator's data plane (one launcher for both).
* ``roles``: each role's inputs from its defaults, checked and turned into its desired state as the roles do.
* ``network_state`` and ``spec_rows``: a stack read back with boto3, and SPEC.md's rows as checks on it.

Importable as ``support`` (pyproject's pytest pythonpath holds ``tests`` and ``tools/emulator``).
"""
