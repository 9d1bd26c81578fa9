/// The HTML export's style sheet: system fonts only (nothing to fetch), outcome colours that
/// print (`print-color-adjust: exact`), every outcome also spelled out in its badge.
enum HTMLStyle {
    static let css = """

        :root { --ok:#1a7f37; --done:#0969da; --failed:#cf222e; --skipped:#6e7781; --unknown:#bf8700; --notrun:#afb8c1; --rehearsed:#8250df;
          --ink:#1f2328; --dim:#656d76; --line:#d0d7de; --paper:#ffffff; --shade:#f6f8fa; }
        * { box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        body { margin: 0 auto; max-width: 70rem; padding: 1.5rem 2rem 3rem; color: var(--ink); background: var(--paper);
          font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
        code, pre { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 0.85em; }
        pre { margin: 0.4rem 0 0; padding: 0.6rem 0.8rem; background: var(--shade); border: 1px solid var(--line); border-radius: 6px;
          white-space: pre-wrap; overflow-wrap: anywhere; }
        h1 { font-size: 2rem; margin: 0.1rem 0 0.3rem; }
        h2 { font-size: 1.15rem; margin: 1.8rem 0 0.6rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--dim); }
        h3 { font-size: 1rem; margin: 1rem 0 0.2rem; }
        .dim { color: var(--dim); }
        .hash { overflow-wrap: anywhere; }
        .kicker { margin: 0; color: var(--dim); text-transform: uppercase; letter-spacing: 0.1em; font-size: 0.8rem; }
        .banner { margin: 0 0 1rem; padding: 1rem 1.2rem; border: 4px solid; border-radius: 8px; font-size: 3.6rem; font-weight: 800;
          letter-spacing: 0.12em; line-height: 1.1; }
        .banner small { display: block; font-size: 1rem; font-weight: 600; letter-spacing: 0; margin-top: 0.3rem; }
        .banner ul { font-size: 0.95rem; font-weight: 400; letter-spacing: 0; margin: 0.5rem 0 0; }
        .banner.rehearsal { color: var(--rehearsed); border-color: var(--rehearsed);
          background: repeating-linear-gradient(135deg, #fbefff, #fbefff 14px, #ffffff 14px, #ffffff 28px); }
        .banner.unfinished { color: #9a6700; border-color: var(--unknown); background: #fff8c5; font-size: 2.4rem; }
        .banner.damaged { color: var(--failed); border-color: var(--failed); background: #ffebe9; font-size: 2.4rem; }
        .state { display: inline-block; margin: 0.2rem 0 0.8rem; padding: 0.15rem 0.7rem; border-radius: 999px; color: #fff; font-weight: 600;
          background: var(--skipped); }
        .state.s-completed { background: var(--ok); }
        .state.s-completed_with_failures, .state.s-aborted, .state.s-damaged { background: var(--failed); }
        .state.s-paused, .state.s-interrupted, .state.s-running { background: var(--unknown); }
        .facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(24rem, 1fr)); gap: 0.1rem 1.5rem; margin: 0; }
        .facts div { display: flex; gap: 0.6rem; padding: 0.2rem 0; border-bottom: 1px solid var(--shade); }
        .facts dt { flex: 0 0 7rem; color: var(--dim); }
        .facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
        .timeline { list-style: none; margin: 0; padding: 0; }
        .timeline .section h3 { margin: 1.2rem 0 0.4rem; padding-bottom: 0.2rem; border-bottom: 2px solid var(--line); }
        .step { --c: var(--skipped); margin: 0 0 0.55rem; padding: 0.55rem 0.8rem 0.6rem; border: 1px solid var(--line); border-left: 6px solid var(--c);
          border-radius: 6px; break-inside: avoid; }
        .o-ok { --c: var(--ok); } .o-done { --c: var(--done); } .o-rehearsed { --c: var(--rehearsed); }
        .o-failed, .o-timed_out, .o-interrupted { --c: var(--failed); } .o-unknown { --c: var(--unknown); }
        .o-not_run, .o-removed { --c: var(--notrun); } .o-skipped { --c: var(--skipped); }
        .row { display: flex; align-items: baseline; gap: 0.6rem; flex-wrap: wrap; }
        .num { min-width: 1.6rem; color: var(--dim); font-variant-numeric: tabular-nums; }
        .badge { padding: 0.05rem 0.55rem; border-radius: 999px; background: var(--c); color: #fff; font-size: 0.8rem; font-weight: 700;
          text-transform: uppercase; letter-spacing: 0.04em; }
        .title { font-weight: 600; }
        .key { color: var(--dim); }
        .time { margin-left: auto; color: var(--dim); font-variant-numeric: tabular-nums; }
        .track { position: relative; height: 6px; margin: 0.35rem 0 0.1rem; background: var(--shade); border-radius: 3px; }
        .bar { position: absolute; top: 0; bottom: 0; min-width: 3px; background: var(--c); border-radius: 3px; }
        .meta, .attempt, .reason, .error, .warning, .finding { margin: 0.25rem 0 0; }
        .meta, .attempt { color: var(--dim); font-size: 0.9rem; }
        .reason { font-style: italic; color: var(--ink); }
        .error, .finding { color: var(--failed); }
        .warning { color: #9a6700; font-weight: 600; }
        details { margin: 0.3rem 0 0; }
        summary { cursor: pointer; font-size: 0.9rem; }
        .diff .add { color: var(--ok); } .diff .del { color: var(--failed); }
        .events { margin: 0.35rem 0 0; padding-left: 1.2rem; font-size: 0.9rem; }
        footer { margin-top: 2rem; padding-top: 0.5rem; border-top: 2px solid var(--line); }
        @media print { body { max-width: none; padding: 0; font-size: 11pt; } details > summary { list-style: none; } .banner { font-size: 2.6rem; } }

        """
}
