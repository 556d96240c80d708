//! The playground's command line. A word that names an action (see
//! [`super::step::STEPS`]) is parsed by that action's own module straight
//! into the typed step a preset would give, so `:put cart CAR via s2` and
//! `- put: {key: cart, value: CAR, via: s2}` cannot mean different things;
//! the other words drive the playground itself and are listed in
//! [`PLAYGROUND`].

use super::parse_context::ParseContext;
use super::step::words::{self, Word};
use super::step::{STEPS, Step, StepKind};
use crate::core::time::Dur;

/// What a command line asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Instruction {
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
    /// Write the session as a preset (`force`: over an existing file).
    Save {
        path: String,
        force: bool,
    },
    /// Write the session's trace as JSON lines (`force`: over an existing file).
    ExportTrace {
        path: String,
        force: bool,
    },
    /// Write the session as a space-time diagram (`force`: over an
    /// existing file): only what concerns `key` if given, gossip if asked.
    ExportDiagram {
        format: crate::export::Format,
        path: String,
        force: bool,
        key: Option<String>,
        gossip: bool,
    },
    /// Go back this long in virtual time.
    Rewind(Dur),
    /// Go to this instant of the session.
    Goto(Dur),
    /// List the session's branches.
    Branches,
    /// Go back to branch N (numbered from 1).
    Branch(usize),
    /// Run a lab experiment in the background and show its chart.
    Lab(String),
    /// Say what traffic runs (`traffic` alone).
    ShowTraffic,
    Help,
    Quit,
}

/// A command that drives the playground rather than the cluster: its word,
/// its usage and its help line.
pub struct PlaygroundCommand {
    pub word: &'static str,
    pub usage: &'static str,
    pub help: &'static str,
}

const fn pc(word: &'static str, usage: &'static str, help: &'static str) -> PlaygroundCommand {
    PlaygroundCommand { word, usage, help }
}

/// The playground's own commands, after the steps in help and completion.
pub const PLAYGROUND: &[PlaygroundCommand] = &[
    pc("load", "load [PRESET]", "open a scenario (no name: the picker)"),
    pc("seed", "seed N", "restart the scenario with this seed"),
    pc("speed", "speed X", "virtual seconds per real second, 0.01 to 100"),
    pc("pause", "pause", "pause or resume"),
    pc("step", "step", "advance to the next event"),
    pc("next", "next", "run the scenario's next step"),
    pc(
        "save",
        "save[!] FILE",
        "write the session as a preset (save! overwrites)",
    ),
    pc(
        "export",
        "export[!] FORMAT FILE [key=K] [gossip]",
        "write the session: FORMAT trace (JSON lines), shiviz, mermaid or svg",
    ),
    pc("rewind", "rewind DURATION", "go back in virtual time (time pauses)"),
    pc("goto", "goto TIME", "go to an instant of the session, e.g. goto 12.5s"),
    pc(
        "branches",
        "branches",
        "list the futures acting after a rewind left behind",
    ),
    pc("branch", "branch N", "go back to branch N (time pauses where it was)"),
    pc(
        "lab",
        "lab EXPERIMENT",
        "run an experiment (gossip, merkle, detector, ...) in the background and chart it; Esc closes",
    ),
    pc("help", "help", "this help"),
    pc("quit", "quit", "leave"),
];

/// Every command word: the steps', then the playground's.
pub fn command_words() -> impl Iterator<Item = &'static str> {
    STEPS.iter().map(|s| s.name).chain(PLAYGROUND.iter().map(|c| c.word))
}

/// The slowest and fastest playback speeds.
pub const SPEED_RANGE: (f64, f64) = (0.01, 100.0);

fn usage(word: &str) -> String {
    let form = PLAYGROUND.iter().find(|c| c.word == word).map_or("", |c| c.usage);
    format!("usage: {form}")
}

/// Parses one command line, checking node names against `ctx`.
pub fn parse(line: &str, ctx: &ParseContext) -> Result<Instruction, String> {
    let line = line.trim().trim_start_matches(':');
    let words = words::split(line)?;
    let Some((word, rest)) = words.split_first() else {
        return Err("empty command; type help for the list".into());
    };
    if let [only] = &words[..]
        && only.is("traffic")
    {
        return Ok(Instruction::ShowTraffic);
    }
    if let Some(step) = StepKind::from_words(&words, &mut ctx.clone()) {
        return Ok(Instruction::Step(Box::new(Step {
            kind: step?,
            expect: None,
        })));
    }
    let rest: Vec<&str> = rest.iter().map(|w: &Word| w.text.as_str()).collect();
    let word = word.text.as_str();
    let none = || -> Result<(), String> {
        if rest.is_empty() {
            Ok(())
        } else {
            Err(format!("{word} takes no arguments"))
        }
    };
    match word {
        "load" => match rest[..] {
            [] => Ok(Instruction::Pick),
            [preset] => Ok(Instruction::Load(preset.to_string())),
            _ => Err(usage("load")),
        },
        "seed" => match rest[..] {
            [n] => n
                .parse()
                .map(Instruction::Seed)
                .map_err(|_| format!("seed {n:?} is not a whole number")),
            _ => Err(usage("seed")),
        },
        "speed" => match rest[..] {
            [x] => {
                let x: f64 = x
                    .trim_end_matches('x')
                    .parse()
                    .map_err(|_| format!("speed {x:?} is not a number"))?;
                let (lo, hi) = SPEED_RANGE;
                if !(lo..=hi).contains(&x) {
                    return Err(format!("speed {x} is out of range; it goes from {lo}x to {hi}x"));
                }
                Ok(Instruction::Speed(x))
            }
            _ => Err(usage("speed")),
        },
        "save" | "save!" => match rest[..] {
            [path] => Ok(Instruction::Save {
                path: path.to_string(),
                force: word.ends_with('!'),
            }),
            _ => Err(usage("save")),
        },
        "export" | "export!" => match rest[..] {
            ["trace", path] => Ok(Instruction::ExportTrace {
                path: path.to_string(),
                force: word.ends_with('!'),
            }),
            [format, path, ref options @ ..] if format != "trace" => {
                let format = <crate::export::Format as clap::ValueEnum>::from_str(format, true)
                    .map_err(|_| format!("export {format:?}: unknown format; use trace, shiviz, mermaid or svg"))?;
                let (mut key, mut gossip) = (None, false);
                for option in options {
                    match option.strip_prefix("key=") {
                        Some(k) if !k.is_empty() && key.is_none() => key = Some(k.to_string()),
                        _ if *option == "gossip" && !gossip => gossip = true,
                        _ => {
                            return Err(format!(
                                "export: unknown option {option:?}; after the file come key=KEY and gossip"
                            ));
                        }
                    }
                }
                Ok(Instruction::ExportDiagram {
                    format,
                    path: path.to_string(),
                    force: word.ends_with('!'),
                    key,
                    gossip,
                })
            }
            _ => Err(usage("export")),
        },
        "rewind" => match rest[..] {
            [d] => Dur::parse(d)
                .map(Instruction::Rewind)
                .map_err(|e| format!("rewind: {e}")),
            _ => Err(usage("rewind")),
        },
        "goto" => match rest[..] {
            [t] => Dur::parse(t).map(Instruction::Goto).map_err(|e| format!("goto: {e}")),
            _ => Err(usage("goto")),
        },
        "branches" => none().map(|_| Instruction::Branches),
        "branch" => match rest[..] {
            [n] => n
                .parse()
                .map(Instruction::Branch)
                .map_err(|_| format!("branch {n:?} is not a branch number; :branches lists them")),
            _ => Err(usage("branch")),
        },
        "lab" => match rest[..] {
            [name] => Ok(Instruction::Lab(name.to_string())),
            _ => Err(usage("lab")),
        },
        "pause" => none().map(|_| Instruction::Pause),
        "step" => none().map(|_| Instruction::StepEvent),
        "next" | "n" => none().map(|_| Instruction::Next),
        "help" | "?" => Ok(Instruction::Help),
        "quit" | "q" | "exit" => none().map(|_| Instruction::Quit),
        other => Err(format!(
            "unknown command {other:?}; the commands are {}",
            command_words().collect::<Vec<_>>().join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::noderef::NodeRef;
    use crate::scenario::step::{GetStep, PutStep};

    fn ctx() -> ParseContext {
        ParseContext::new((1..=5).map(|i| format!("s{i}")).collect(), 5)
    }

    fn step(line: &str) -> Step {
        match parse(line, &ctx()) {
            Ok(Instruction::Step(s)) => *s,
            other => panic!("{line}: {other:?}"),
        }
    }

    fn yaml(text: &str) -> Step {
        Step::from_yaml_str(text, &mut ctx()).unwrap()
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
                "put cart CAR context={s1:2,+s1:4} nowait",
                "put: {key: cart, value: CAR, context: {s1: 2, +s1: [4]}, nowait: true}",
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
            ("at 1m", "at: 60s"),
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
            (
                "scan item 5 start=3 via s1 r=2",
                "scan: {prefix: item, keys: 5, start: 3, via: s1, r: 2}",
            ),
            (
                "concurrently [kill s1; put cart CAR]",
                "concurrently: [{kill: s1}, {put: {key: cart, value: CAR}}]",
            ),
        ];
        for (line, text) in pairs {
            assert_eq!(step(line), yaml(text), "{line}");
        }
    }

    #[test]
    fn parses_put_fully() {
        let s = step(":put cart \"CAR M\" via s2 as alice w=1");
        assert_eq!(
            s.kind,
            StepKind::Put(PutStep {
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
            g.kind,
            StepKind::Get(GetStep {
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
        assert_eq!(parse("load stale-read", &c), Ok(Instruction::Load("stale-read".into())));
        assert_eq!(parse("lab gossip", &c), Ok(Instruction::Lab("gossip".into())));
        assert_eq!(parse("lab", &c), Err("usage: lab EXPERIMENT".into()));
        assert_eq!(parse("load", &c), Ok(Instruction::Pick));
        assert!(parse("load a b", &c).unwrap_err().contains("usage: load [PRESET]"));
        assert_eq!(parse("seed 9", &c), Ok(Instruction::Seed(9)));
        assert_eq!(parse("speed 2x", &c), Ok(Instruction::Speed(2.0)));
        assert_eq!(parse("pause", &c), Ok(Instruction::Pause));
        assert_eq!(parse("step", &c), Ok(Instruction::StepEvent));
        assert_eq!(parse("help", &c), Ok(Instruction::Help));
        assert_eq!(parse("quit", &c), Ok(Instruction::Quit));
    }

    #[test]
    fn malformed_commands_say_what_is_wrong() {
        let c = ctx();
        let err = |line: &str| parse(line, &c).unwrap_err();
        assert!(err("frobnicate").contains("unknown command \"frobnicate\"; the commands are say, put, get"));
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
        assert!(err("concurrently [kill s1").contains("usage: concurrently"));
    }
}
