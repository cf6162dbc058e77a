# -*- coding: utf-8 -*-
# Copyright: TriFlow AI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options of the collection's PostgreSQL modules (psycopg 3).

The matching argument spec is ``connection_argument_spec()`` in ``module_utils/pgvector_extension.py``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  login_host:
    description:
      - Host name or IP address of the PostgreSQL server (for Amazon RDS, the instance endpoint address).
    type: str
    required: true
  login_port:
    description:
      - TCP port of the PostgreSQL server.
    type: int
    default: 5432
  login_user:
    description:
      - The role to connect as.
    type: str
    required: true
  login_password:
    description:
      - The password of O(login_user). When omitted, libpq looks for one in E(PGPASSWORD) or C(~/.pgpass).
    type: str
  login_db:
    description:
      - The database to connect to, and the one the module acts in.
    type: str
    required: true
  ssl_mode:
    description:
      - How the connection uses TLS (libpq C(sslmode)).
      - Use V(verify-full) with O(ca_cert) for a server that forces TLS, such as RDS with C(rds.force_ssl=1).
    type: str
    default: prefer
    choices: [disable, allow, prefer, require, verify-ca, verify-full]
  ca_cert:
    description:
      - Path of the certificate authority bundle that signed the server's certificate (libpq C(sslrootcert)),
        for example the RDS global bundle.
    type: path
    aliases: [ssl_rootcert]
  connect_timeout:
    description:
      - Seconds to wait for the server to answer when connecting before failing.
    type: int
    default: 10
requirements:
  - psycopg >= 3.1
"""
