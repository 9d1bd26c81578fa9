#!/usr/bin/python3
"""Holds PostgreSQL sessions idle inside an open transaction, the way a stuck worker or a
forgotten report does: `hold_connections.py URL COUNT|all APPLICATION READY_FILE`.

Each session runs `BEGIN; SELECT count(*) FROM notes_note` and then waits, so it holds an
ACCESS SHARE lock on the table (an ALTER TABLE queues behind it) and a connection slot.
With `all` it opens sessions until the server refuses one (connection exhaustion).
Writes READY_FILE (the number held) once they are open, then sleeps until killed.
"""
import sys
import time

import psycopg2

url, count, application, ready = sys.argv[1:5]
held = []
while count == "all" or len(held) < int(count):
    try:
        connection = psycopg2.connect(url, application_name=application, connect_timeout=5)
    except psycopg2.OperationalError as error:
        if count == "all" and held:
            break
        sys.exit(f"hold_connections: could not connect: {error}")
    cursor = connection.cursor()
    cursor.execute("SELECT count(*) FROM notes_note")
    held.append(connection)
with open(ready, "w") as handle:
    handle.write(f"{len(held)}\n")
while True:
    time.sleep(3600)
