//! Carrying out what the command line asks. Cluster commands become preset
//! steps (parsed by `scenario::command`, run by `StepRun`, exactly as a
//! preset's would); the rest drive the playground itself.

use std::sync::Arc;

use crate::core::time::Time;
use crate::scenario::command::{Instruction, parse};
use crate::scenario::step::{DEFAULT_CLIENT, PutStep, Step, StepKind};
use crate::scenario::{Scenario, presets};

use super::action::Mode;
use super::app::App;
use super::resolve::quote;

impl App {
    /// Parses and runs one command line. A line that does not parse shows
    /// an error and changes nothing. A new command replaces the notice of
    /// the last one: an old error does not outlive a command that worked.
    pub async fn submit_command(&mut self, line: &str) {
        let line = line.trim();
        if line.is_empty() {
            return;
        }
        self.notice = None;
        match parse(line, &self.parse_context()) {
            Ok(command) => self.execute(command).await,
            Err(e) => self.error(e),
        }
    }

    pub(super) async fn execute(&mut self, command: Instruction) {
        match command {
            Instruction::Step(step) => self.run_step(&step).await,
            Instruction::Load(preset) => self.load(&preset).await,
            Instruction::Pick => self.open_picker(),
            Instruction::Seed(seed) => {
                let scenario = self.scenario.clone();
                match self.open(scenario, seed).await {
                    Ok(()) => self.info(format!("restarted {} with seed {seed}", self.scenario.name)),
                    Err(e) => self.error(e),
                }
            }
            Instruction::Speed(x) => {
                self.pacer.set_speed(x);
                self.info(format!("speed {}", self.pacer.label()));
            }
            Instruction::Pause => self.toggle_pause(),
            Instruction::StepEvent => self.step_event().await,
            Instruction::Next => self.next_step().await,
            Instruction::Save { path, force } => self.save(&path, force),
            Instruction::ExportTrace { path, force } => self.export_trace(&path, force).await,
            Instruction::ExportDiagram {
                format,
                path,
                force,
                key,
                gossip,
            } => {
                let selection = crate::export::Selection {
                    key: key.map(Into::into),
                    gossip,
                };
                self.export_diagram(format, &path, force, selection).await
            }
            Instruction::Rewind(d) => {
                let t = Time(self.engine.now().micros().saturating_sub(d.micros()));
                self.rewind_to(t).await;
            }
            Instruction::Goto(t) => self.goto(Time(t.micros())).await,
            Instruction::Branches => self.list_branches(),
            Instruction::Branch(n) => self.go_to_branch(n).await,
            Instruction::Lab(name) => self.open_lab(&name),
            Instruction::ShowTraffic => {
                let text = match self.engine.arrivals() {
                    Some(a) => format!("traffic: {} (:traffic off stops it)", a.describe()),
                    None => "no traffic runs; :traffic 200 starts 200 operations a second".to_string(),
                };
                self.info(text);
            }
            Instruction::Help => {
                self.mode = Mode::Help;
                self.help_scroll = 0;
            }
            Instruction::Quit => self.quit = true,
        }
    }

    /// Runs a cluster step now, alongside anything already running.
    pub(super) async fn run_step(&mut self, step: &Step) {
        // The trace announces the step (`── step N: ...`), as `ringside run`
        // of the saved session does.
        match self.playback.start_adhoc(step, &mut self.engine).await {
            Ok(()) => match step.kind {
                StepKind::Wait(d) => {
                    self.fast_forward = Some(self.engine.now() + d);
                    self.info(format!("fast-forwarding {d} of virtual time"));
                }
                StepKind::At(d) if Time(d.micros()) > self.engine.now() => {
                    self.fast_forward = Some(Time(d.micros()));
                    self.info(format!("fast-forwarding to {d}"));
                }
                _ => {}
            },
            Err(e) => self.error(e),
        }
        self.settle().await;
    }

    pub(super) fn toggle_pause(&mut self) {
        self.pacer.toggle_pause();
        self.fast_forward = None;
        let text = if self.pacer.is_paused() {
            "paused: space resumes, . advances one event"
        } else {
            "running"
        };
        self.info(text);
    }

    /// `n`: the scenario's next step (now, or when the running one ends).
    /// Pressed while a step only waits, it skips ahead to the wait's end.
    pub(super) async fn next_step(&mut self) {
        let waiting_until = self
            .playback
            .tour()
            .is_running()
            .then(|| self.playback.tour().waiting_for().1)
            .filter(|t| *t > self.engine.now());
        match self.playback.request_next(self.engine.now()) {
            Ok(_) if waiting_until.is_some() => {
                self.fast_forward = waiting_until;
                self.info("skipping to the end of this step's wait; the next step follows");
            }
            Ok(text) => {
                if !text.is_empty() {
                    self.info(text);
                } else if self.pacer.is_paused() {
                    self.info("started; time is paused: space resumes, . advances one event");
                }
            }
            Err(text) => self.info(text),
        }
        self.settle().await;
    }

    pub(super) fn open_picker(&mut self) {
        let current = presets::names().iter().position(|n| *n == self.scenario.name);
        self.picker = current.unwrap_or(0);
        self.mode = Mode::Picker;
    }

    /// Opens another scenario; on error nothing changes.
    pub(super) async fn load(&mut self, preset: &str) {
        let scenario = match Scenario::load(preset) {
            Ok(s) => s,
            Err(e) => return self.error(e.to_string()),
        };
        let seed = scenario.seed;
        if let Err(e) = self.open(scenario, seed).await {
            self.error(e);
        }
    }

    /// Kills the selected node, or revives it when it is dead.
    pub(super) async fn toggle_node(&mut self) {
        let node = self.selected_node;
        let name = self.engine.names().node(node).to_string();
        let word = if self.engine.is_alive(node) { "kill" } else { "revive" };
        self.submit_command(&format!("{word} {name}")).await;
    }

    /// The put that resolves the selected key's siblings with `value`, by
    /// the client whose get returned them (it carries the get's context).
    fn resolution_step(&self, value: &str) -> Option<Step> {
        let r = self.models.inspector.resolution()?;
        Some(Step {
            kind: StepKind::Put(PutStep {
                key: r.key.to_string(),
                value: value.to_string(),
                client: self.engine.names().client(r.client).to_string(),
                via: None,
                w: None,
                pw: None,
                context: None,
                nowait: false,
            }),
            expect: None,
        })
    }

    /// Keeps sibling `n` (from 1).
    pub(super) async fn resolve_pick(&mut self, n: u8) {
        let Some(r) = self.models.inspector.resolution() else {
            return self.info("nothing to resolve: get a key that has siblings first");
        };
        let Some(value) = (n as usize).checked_sub(1).and_then(|i| r.values.get(i)) else {
            return self.info(format!("there are only {} siblings", r.values.len()));
        };
        let value: Arc<str> = value.clone();
        if let Some(step) = self.resolution_step(&value) {
            self.run_step(&step).await;
        }
    }

    /// Writes the union of the siblings' items.
    pub(super) async fn resolve_merge(&mut self) {
        let Some(r) = self.models.inspector.resolution() else {
            return self.info("nothing to resolve: get a key that has siblings first");
        };
        if let Some(step) = self.resolution_step(&r.merged) {
            self.run_step(&step).await;
        }
    }

    /// Opens the command line with the merge, to edit it before writing.
    pub(super) fn resolve_edit(&mut self) {
        let Some(r) = self.models.inspector.resolution() else {
            return self.info("nothing to resolve: get a key that has siblings first");
        };
        let client = self.engine.names().client(r.client);
        let mut line = format!("put {} {}", r.key, quote(&r.merged));
        if client != DEFAULT_CLIENT {
            line.push_str(&format!(" as {client}"));
        }
        self.command.open(&line);
        self.mode = Mode::Command;
    }

    /// The virtual instant a typed `wait` fast-forwards to, if one does.
    pub fn fast_forward(&self) -> Option<Time> {
        self.fast_forward
    }
}

impl App {
    /// `:lab NAME`: starts the experiment on a thread of its own (one core
    /// is left to the playground) and opens its chart. A run already going
    /// is stopped.
    pub(super) fn open_lab(&mut self, name: &str) {
        let Some(experiment) = crate::lab::experiment(name) else {
            let names: Vec<&str> = crate::lab::EXPERIMENTS.iter().map(|e| e.name).collect();
            self.error(format!(
                "lab: unknown experiment {name:?}; the experiments are {}",
                names.join(", ")
            ));
            return;
        };
        let defaults = crate::lab::LabOptions::default();
        let opts = crate::lab::LabOptions {
            jobs: defaults.jobs.saturating_sub(1).max(1),
            ..defaults
        };
        self.lab = None;
        match super::lab_run::LabRun::start(experiment, opts) {
            Ok(run) => {
                self.lab = Some(run);
                self.mode = Mode::Lab;
                self.info(format!(
                    "lab {name}: running in the background (Esc closes the chart and stops it)"
                ));
            }
            Err(e) => self.error(e),
        }
    }

    /// Esc in the `:lab` view: closes it and stops the experiment.
    pub(super) fn close_lab(&mut self) {
        self.mode = Mode::Normal;
        if let Some(run) = self.lab.take()
            && !run.is_over()
        {
            self.info(format!("lab {}: stopped", run.experiment.name));
        }
    }
}
