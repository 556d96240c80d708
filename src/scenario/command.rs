//! The playground's command line. A command that acts on the cluster is
//! turned into the same YAML step a preset would write and parsed by the same
//! `Step` deserializer, so `:put cart CAR via s2` and
//! `- put: {key: cart, value: CAR, via: s2}` cannot mean different things.

use serde_yaml::{Mapping, Value};

use super::noderef::{ParseContext, with_context};
use super::step::Step;

/// What a command line asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Something the cluster does: exactly a preset step.
    Step(Box<Step>),
    /// Open another scenario (a bundled name or a path).
    Load(String),
    /// List the bundled scenarios to pick one (`load` with no preset).
    Pick,
    /// Restart the current scenario with this seed.
    Seed(u64),
    /// Set the playback speed (virtual seconds per real second).
    Speed(f64),
    /// Pause or resume.
    Pause,
    /// Advance to the next event.
    StepEvent,
    /// Run the scenario's next step.
    Next,
    Help,
    Quit,
}

/// Every command word, for help and completion.
pub const COMMANDS: &[(&str, &str)] = &[
    ("put", "put KEY VALUE [via NODE] [as CLIENT] [w=N] [pw=N]"),
    ("get", "get KEY [via NODE] [as CLIENT] [r=N] [pr=N]"),
    ("kill", "kill NODE"),
    ("revive", "revive NODE"),
    ("partition", "partition A,B | C,D"),
    ("cut", "cut A>B"),
    ("heal", "heal"),
    ("slow", "slow NODE DURATION"),
    ("wait", "wait DURATION"),
    ("set", "set KEY=VALUE ..."),
    ("join", "join NAME [TOKEN ...]"),
    ("fill", "fill PREFIX COUNT VALUE"),
    ("scan", "scan PREFIX COUNT [VALUE]"),
    ("leave", "leave NODE"),
    ("say", "say TEXT"),
    ("load", "load [PRESET]"),
    ("seed", "seed N"),
    ("speed", "speed X"),
    ("pause", "pause"),
    ("step", "step"),
    ("next", "next"),
    ("help", "help"),
    ("quit", "quit"),
];

/// The slowest and fastest playback speeds.
pub const SPEED_RANGE: (f64, f64) = (0.01, 100.0);

/// Splits a command line into words; `"..."` keeps spaces inside one word.
fn words(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err("a quote is not closed".into());
    }
    if any {
        out.push(cur);
    }
    Ok(out)
}

fn s(text: &str) -> Value {
    Value::String(text.to_string())
}

/// A scalar the user typed: a number or a boolean when it reads as one.
fn scalar(text: &str) -> Value {
    match serde_yaml::from_str::<Value>(text) {
        Ok(v @ (Value::Number(_) | Value::Bool(_))) => v,
        _ => s(text),
    }
}

fn usage(word: &str) -> String {
    let form = COMMANDS.iter().find(|(w, _)| *w == word).map_or("", |(_, u)| u);
    format!("usage: {form}")
}

/// Parses the options of put and get: `via NODE`, `as CLIENT`, `w=N`, `r=N`.
fn op_options(word: &str, rest: &[String], map: &mut Mapping, quorum: &str) -> Result<(), String> {
    let mut i = 0;
    while i < rest.len() {
        let w = rest[i].as_str();
        if let Some(n) = w.strip_prefix(&format!("{quorum}=")) {
            map.insert(s(quorum), scalar(n));
            i += 1;
            continue;
        }
        if let Some(n) = w.strip_prefix(&format!("p{quorum}=")) {
            map.insert(s(&format!("p{quorum}")), scalar(n));
            i += 1;
            continue;
        }
        let (field, value) = match (w, rest.get(i + 1)) {
            ("via", Some(v)) => ("via", v),
            ("as", Some(v)) => ("client", v),
            _ => return Err(format!("{word}: {w:?} is not understood; {}", usage(word))),
        };
        map.insert(s(field), s(value));
        i += 2;
    }
    Ok(())
}

/// Builds the YAML step for a cluster command, or `None` for other words.
fn step_value(word: &str, rest: &[String]) -> Result<Option<Value>, String> {
    let one = |what: &str| -> Result<Value, String> {
        match rest {
            [x] => Ok(s(x)),
            _ => Err(format!("{word} needs one {what}; {}", usage(word))),
        }
    };
    let value = match word {
        "put" => {
            let [key, value, opts @ ..] = rest else {
                return Err(usage("put"));
            };
            let mut m = Mapping::new();
            m.insert(s("key"), s(key));
            m.insert(s("value"), s(value));
            op_options("put", opts, &mut m, "w")?;
            Value::Mapping(m)
        }
        "get" => {
            let [key, opts @ ..] = rest else {
                return Err(usage("get"));
            };
            let mut m = Mapping::new();
            m.insert(s("key"), s(key));
            op_options("get", opts, &mut m, "r")?;
            Value::Mapping(m)
        }
        "kill" | "revive" | "leave" => one("node")?,
        "fill" | "scan" => {
            let (prefix, count, value) = match rest {
                [p, c, v] => (p, c, Some(v)),
                [p, c] if word == "scan" => (p, c, None),
                _ => return Err(usage(word)),
            };
            let mut m = Mapping::new();
            m.insert(s("prefix"), s(prefix));
            m.insert(s("keys"), scalar(count));
            if let Some(v) = value {
                m.insert(s("value"), s(v));
            }
            Value::Mapping(m)
        }
        "join" => {
            let [name, tokens @ ..] = rest else {
                return Err(usage("join"));
            };
            if tokens.is_empty() {
                s(name)
            } else {
                let mut m = Mapping::new();
                m.insert(s("node"), s(name));
                m.insert(s("tokens"), Value::Sequence(tokens.iter().map(|t| s(t)).collect()));
                Value::Mapping(m)
            }
        }
        "wait" => one("duration")?,
        "heal" => {
            if !rest.is_empty() && rest != ["all"] {
                return Err(usage("heal"));
            }
            s("all")
        }
        "say" => {
            if rest.is_empty() {
                return Err(usage("say"));
            }
            s(&rest.join(" "))
        }
        "partition" => {
            let text = rest.join(" ");
            let groups: Vec<Value> = text
                .split('|')
                .map(|g| {
                    Value::Sequence(
                        g.split([',', ' '])
                            .filter(|n| !n.trim().is_empty())
                            .map(|n| s(n.trim()))
                            .collect(),
                    )
                })
                .collect();
            Value::Sequence(groups)
        }
        "cut" => {
            let text = rest.join("");
            let Some((from, to)) = text.split_once('>') else {
                return Err(usage("cut"));
            };
            let mut m = Mapping::new();
            m.insert(s("from"), s(from.trim()));
            m.insert(s("to"), s(to.trim()));
            Value::Mapping(m)
        }
        "slow" => {
            let [node, by] = rest else {
                return Err(usage("slow"));
            };
            let mut m = Mapping::new();
            m.insert(s("node"), s(node));
            m.insert(s("by"), s(by));
            Value::Mapping(m)
        }
        "set" => {
            if rest.is_empty() {
                return Err(usage("set"));
            }
            let mut m = Mapping::new();
            for pair in rest {
                let Some((k, v)) = pair.split_once('=') else {
                    return Err(format!("set: {pair:?} is not KEY=VALUE; {}", usage("set")));
                };
                m.insert(s(k), scalar(v));
            }
            Value::Mapping(m)
        }
        _ => return Ok(None),
    };
    let mut step = Mapping::new();
    step.insert(s(word), value);
    Ok(Some(Value::Mapping(step)))
}

/// Parses one command line, checking node names against `ctx`.
pub fn parse(line: &str, ctx: &ParseContext) -> Result<Command, String> {
    let line = line.trim().trim_start_matches(':');
    let words = words(line)?;
    let Some((word, rest)) = words.split_first() else {
        return Err("empty command; type help for the list".into());
    };
    let word = word.as_str();
    if let Some(value) = step_value(word, rest)? {
        let step: Step = with_context(ctx.clone(), || serde_yaml::from_value(value)).map_err(|e| {
            let text = e.to_string();
            // serde_yaml prefixes the failing field's path; the command has no fields.
            let text =
                text.split_once(": ").map_or(
                    text.as_str(),
                    |(path, msg)| {
                        if path.contains(' ') { text.as_str() } else { msg }
                    },
                );
            format!("{word}: {text}")
        })?;
        return Ok(Command::Step(Box::new(step)));
    }
    let none = || -> Result<(), String> {
        if rest.is_empty() {
            Ok(())
        } else {
            Err(format!("{word} takes no arguments"))
        }
    };
    match word {
        "load" => match rest {
            [] => Ok(Command::Pick),
            [preset] => Ok(Command::Load(preset.clone())),
            _ => Err(usage("load")),
        },
        "seed" => match rest {
            [n] => n
                .parse()
                .map(Command::Seed)
                .map_err(|_| format!("seed {n:?} is not a whole number")),
            _ => Err(usage("seed")),
        },
        "speed" => match rest {
            [x] => {
                let x: f64 = x
                    .trim_end_matches('x')
                    .parse()
                    .map_err(|_| format!("speed {x:?} is not a number"))?;
                let (lo, hi) = SPEED_RANGE;
                if !(lo..=hi).contains(&x) {
                    return Err(format!("speed {x} is out of range; it goes from {lo}x to {hi}x"));
                }
                Ok(Command::Speed(x))
            }
            _ => Err(usage("speed")),
        },
        "pause" => none().map(|_| Command::Pause),
        "step" => none().map(|_| Command::StepEvent),
        "next" | "n" => none().map(|_| Command::Next),
        "help" | "?" => Ok(Command::Help),
        "quit" | "q" | "exit" => none().map(|_| Command::Quit),
        other => Err(format!(
            "unknown command {other:?}; the commands are {}",
            COMMANDS.iter().map(|(w, _)| *w).collect::<Vec<_>>().join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::noderef::NodeRef;
    use crate::scenario::step::{Action, GetStep, PutStep};

    fn ctx() -> ParseContext {
        ParseContext {
            nodes: (1..=5).map(|i| format!("s{i}")).collect(),
            max_nodes: 5,
        }
    }

    fn step(line: &str) -> Step {
        match parse(line, &ctx()) {
            Ok(Command::Step(s)) => *s,
            other => panic!("{line}: {other:?}"),
        }
    }

    fn yaml(text: &str) -> Step {
        with_context(ctx(), || serde_yaml::from_str(text)).unwrap()
    }

    #[test]
    fn commands_and_yaml_steps_give_the_same_action() {
        let pairs = [
            ("put cart CAR", "put: {key: cart, value: CAR}"),
            (
                "put cart CAR via s2 as alice w=1",
                "put: {key: cart, value: CAR, via: s2, client: alice, w: 1}",
            ),
            (
                "get cart via cart#3 as bob r=1",
                "get: {key: cart, via: cart#3, client: bob, r: 1}",
            ),
            ("kill s1", "kill: s1"),
            ("revive cart#1", "revive: cart#1"),
            ("partition s1,s2 | s3,s4", "partition: [[s1, s2], [s3, s4]]"),
            ("cut s4>s5", "cut: {from: s4, to: s5}"),
            ("heal", "heal: all"),
            ("wait 1.5s", "wait: 1.5s"),
            ("slow s3 300ms", "slow: {node: s3, by: 300ms}"),
            (
                "set write_quorum=3 routing=any-node",
                "set: {write_quorum: 3, routing: any-node}",
            ),
            ("say hello there", "say: hello there"),
            ("join s6", "join: s6"),
            ("join s6 10% 60%", "join: {node: s6, tokens: ['10%', '60%']}"),
            ("leave s3", "leave: s3"),
            ("fill item 50 v1", "fill: {prefix: item, keys: 50, value: v1}"),
            ("scan item 50 v1", "scan: {prefix: item, keys: 50, value: v1}"),
        ];
        for (line, text) in pairs {
            assert_eq!(step(line), yaml(text), "{line}");
        }
    }

    #[test]
    fn parses_put_fully() {
        let s = step(":put cart \"CAR M\" via s2 as alice w=1");
        assert_eq!(
            s.action,
            Action::Put(PutStep {
                key: "cart".into(),
                value: "CAR M".into(),
                client: "alice".into(),
                via: Some(NodeRef::Name("s2".into())),
                w: Some(1),
                pw: None,
                context: None,
                nowait: false,
            })
        );
        let g = step("get cart");
        assert_eq!(
            g.action,
            Action::Get(GetStep {
                key: "cart".into(),
                client: "client".into(),
                via: None,
                r: None,
                pr: None,
                nowait: false,
            })
        );
    }

    #[test]
    fn playground_commands() {
        let c = ctx();
        assert_eq!(parse("load stale-read", &c), Ok(Command::Load("stale-read".into())));
        assert_eq!(parse("load", &c), Ok(Command::Pick));
        assert!(parse("load a b", &c).unwrap_err().contains("usage: load [PRESET]"));
        assert_eq!(parse("seed 9", &c), Ok(Command::Seed(9)));
        assert_eq!(parse("speed 2x", &c), Ok(Command::Speed(2.0)));
        assert_eq!(parse("pause", &c), Ok(Command::Pause));
        assert_eq!(parse("step", &c), Ok(Command::StepEvent));
        assert_eq!(parse("help", &c), Ok(Command::Help));
        assert_eq!(parse("quit", &c), Ok(Command::Quit));
    }

    #[test]
    fn malformed_commands_say_what_is_wrong() {
        let c = ctx();
        let err = |line: &str| parse(line, &c).unwrap_err();
        assert!(err("frobnicate").contains("unknown command \"frobnicate\"; the commands are put, get"));
        assert!(err("put cart").contains("usage: put KEY VALUE"));
        assert!(err("kill s9").contains("unknown node \"s9\""), "{}", err("kill s9"));
        assert!(err("kill").contains("kill needs one node"));
        assert!(err("put cart CAR via").contains("not understood"));
        assert!(err("get cart r=0").contains("r must be at least 1"));
        assert!(err("wait soon").contains("does not start with a number"));
        assert!(err("cut s1").contains("usage: cut A>B"));
        assert!(err("speed 1000").contains("out of range"));
        assert!(err("set write_quorom=3").contains("unknown setting"));
        assert!(err("partition s1,s2 | s2").contains("in two groups"));
        assert!(err("put cart \"CAR").contains("quote"));
        assert!(err("").contains("empty command"));
        assert!(err("join s1").contains("already a node named s1"), "{}", err("join s1"));
        assert!(
            err("join s6 lots").contains("not a ring position"),
            "{}",
            err("join s6 lots")
        );
    }
}
