import Foundation
import Testing

@testable import RunbookKit

/// Shell blocks that are examples, not commands: YAML or JSON shown as bash, output, another program's session.
@Suite("Example blocks")
struct ExampleBlockTests {
    @Test("check says which shell blocks are not commands, and which tag shows them")
    func markers() {
        assertMarkedFindings(
            """
            # Examples

            ```yaml
            shown: as yaml
            ```

            ```bash {id=manifest}
            ⟦1⟧apiVersion: v1
            kind: Pod
            metadata:
              name: web
            ```

            ```sh {id=doc}
            ⟦2⟧{"replicas": 3}
            ```

            ```shell {id=out}
            ⟦3⟧NAME      READY   STATUS
            web-1     1/1     Running
            ```

            ```bash {id=timing}
            ⟦4⟧0.000000000    GET    /v1/kv/service
            ```

            ```bash {id=psql}
            ⟦5⟧pgbouncer=# show databases;
            ```

            ```shell {id=redis}
            ⟦6⟧> info replication
            ```

            ```bash {id=todo}
            ⟦7⟧# TODO: command needed
            ```

            ```bash {id=script}
            #!/bin/bash
            # a real script
            set -e
            > /tmp/emptied
            2>/dev/null ls
            kubectl get pods
            ```

            """,
            [
                1: .warning("not-a-step", "bash block holds YAML", "'yaml'", "never run"),
                2: .warning("not-a-step", "holds JSON", "'json'"),
                3: .warning("not-a-step", "output of a command", "'text'"),
                4: .warning("not-a-step", "output of a command"),
                5: .warning("not-a-step", "session of another program", "'console'"),
                6: .warning("not-a-step", "session of another program"),
                7: .warning("not-a-step", "only comments", "root prompt"),
            ])
    }

    @Test("a shebang-only block is a script")
    func shebang() {
        let runbook = parse("```bash {id=a}\n#!/bin/bash\n```\n")
        expectNone(runbook, "not-a-step")
    }
}
