// Preloaded (`node --require`) into the program process of every engine bench run (bench/engine.sh, through the
// runtime's `nodeargs`): times the program from its process start to its first and last resource registration
// and records its peak RSS, as one JSON line appended to $MODELPLANE_BENCH_PROBE at exit. Plain JavaScript so it
// costs the program no compile. It wraps the SDK's monitor client, the object every registration goes through
// (@pulumi/pulumi 3.248 runtime/settings.js getMonitor; runtime/resource.js calls it through the module's exports).
"use strict";
const fs = require("node:fs");
const { performance } = require("node:perf_hooks");

const out = process.env.MODELPLANE_BENCH_PROBE;
if (out) {
    // The root stack resource is registered by the SDK's run entry point before the program is loaded: its time is
    // kept apart, and "first" is the program's own first registration.
    let stack;
    let first;
    let last;
    let count = 0;
    // MODELPLANE_BENCH_TRACE=<prefix>: also every monitor call (its method, type or URN, sent and answered), as a JSON
    // line each, to find what the program waits on (a profiling aid; the bench itself does not set it).
    const trace = process.env.MODELPLANE_BENCH_TRACE;
    const traceMonitor = (monitor) => {
        const lines = [];
        process.on("exit", () => fs.appendFileSync(`${trace}.${process.pid}`, lines.join("\n") + "\n"));
        for (const key of Object.keys(Object.getPrototypeOf(monitor))) {
            const fn = monitor[key];
            if (typeof fn !== "function" || key === "constructor" || key.startsWith("make")) continue;
            monitor[key] = function (...args) {
                const req = args[0];
                const what = req && (typeof req.getType === "function" ? `${req.getType()}::${req.getName()}`
                    : typeof req.getUrn === "function" ? req.getUrn() : typeof req.getTok === "function" ? req.getTok() : "");
                const t0 = performance.now();
                const cb = args.length && typeof args[args.length - 1] === "function" ? args.length - 1 : -1;
                if (cb >= 0) {
                    const done = args[cb];
                    args[cb] = function (...res) {
                        lines.push(JSON.stringify({ m: key, what, sent: +(t0 / 1000).toFixed(3), done: +(performance.now() / 1000).toFixed(3) }));
                        return done.apply(this, res);
                    };
                } else {
                    lines.push(JSON.stringify({ m: key, what, sent: +(t0 / 1000).toFixed(3) }));
                }
                return fn.apply(this, args);
            };
        }
    };
    const settings = require("@pulumi/pulumi/runtime/settings");
    const getMonitor = settings.getMonitor;
    const wrapped = new WeakSet();
    settings.getMonitor = function (...args) {
        const monitor = getMonitor.apply(this, args);
        if (monitor && !wrapped.has(monitor)) {
            wrapped.add(monitor);
            if (trace) traceMonitor(monitor);
            const register = monitor.registerResource;
            monitor.registerResource = function (...rargs) {
                const now = performance.now();
                const req = rargs[0];
                if (req && typeof req.getType === "function" && req.getType() === "pulumi:pulumi:Stack") {
                    if (stack === undefined) stack = now;
                } else if (first === undefined) {
                    first = now;
                }
                last = now;
                count++;
                return register.apply(this, rargs);
            };
        }
        return monitor;
    };
    process.on("exit", () => {
        const ms = (v) => (v === undefined ? null : +(v / 1000).toFixed(3));
        fs.appendFileSync(out, JSON.stringify({
            pid: process.pid, registrations: count, stackS: ms(stack), firstS: ms(first), lastS: ms(last), exitS: ms(performance.now()),
            maxRssMiB: +(process.resourceUsage().maxRSS / 1024).toFixed(1),
        }) + "\n");
    });
}
