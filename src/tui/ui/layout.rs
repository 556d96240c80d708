//! Where each pane goes, as a pure function of the screen size, so that
//! drawing and mouse clicks agree.

use ratatui::layout::Rect;

/// The smallest screen the playground draws on.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// The banner's rows: three for the captions (a long caption wraps to
/// three lines at 80 columns), one for the checks or what comes next.
pub const BANNER_HEIGHT: u16 = 4;
/// The fewest rows the detail pane under the nodes table keeps (three
/// lines inside its border).
pub const DETAIL_MIN: u16 = 5;
/// The fewest rows of the event log (three lines inside its border).
pub const LOG_MIN: u16 = 5;

/// The panes' rectangles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Screen {
    pub banner: Rect,
    pub ring: Rect,
    pub nodes: Rect,
    pub inspector: Rect,
    pub log: Rect,
    pub status: Rect,
    /// The timeline bar (see `ui::timeline`): two rows under the status
    /// line on a big screen; on a smaller one, one row drawn over the log's
    /// bottom border, so that no pane loses a row to it.
    pub timeline: Rect,
}

impl Screen {
    pub fn fits(area: Rect) -> bool {
        area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT
    }

    /// Lays out `area` for a cluster of `nodes` nodes. The nodes table
    /// takes a row per node when that leaves the detail pane its
    /// [`DETAIL_MIN`] rows and the table at most two thirds of the column
    /// (so five nodes all show at 80x24); a bigger cluster gets 45% of the
    /// column, or five nodes' rows if more, and scrolls.
    pub fn compute(area: Rect, nodes: usize) -> Screen {
        let banner_h = BANNER_HEIGHT;
        let status_h = 2;
        let wide = super::timeline::height(area) == 2;
        let timeline_h = if wide { 2 } else { 0 };
        let body_h = area.height.saturating_sub(banner_h + status_h + timeline_h);
        let log_h = (body_h * 3 / 10).max(LOG_MIN).min(body_h);
        let middle_h = body_h - log_h;
        let top = area.y;
        let banner = Rect::new(area.x, top, area.width, banner_h);
        let middle_y = top + banner_h;
        // The ring wants a round circle: a cell is about twice as tall as
        // wide, so its width is about twice its height.
        let ring_w = (middle_h.saturating_sub(2) * 2 + 4).min(area.width * 45 / 100).max(24);
        let ring = Rect::new(area.x, middle_y, ring_w, middle_h);
        let right_x = area.x + ring_w;
        let right_w = area.width - ring_w;
        // A top border and a header, then a row per node: the table has
        // no bottom border, the detail pane's top border closes it.
        let wanted = (nodes.min(u16::MAX as usize - 2) as u16 + 2).max(4);
        let nodes_h = if wanted + DETAIL_MIN <= middle_h && wanted <= middle_h * 2 / 3 {
            wanted
        } else {
            // Five nodes' rows at least, where the column has room.
            (middle_h * 45 / 100)
                .max(8.min(middle_h.saturating_sub(DETAIL_MIN)))
                .max(5)
                .min(middle_h)
        };
        let nodes = Rect::new(right_x, middle_y, right_w, nodes_h);
        let inspector = Rect::new(right_x, middle_y + nodes_h, right_w, middle_h - nodes_h);
        let log = Rect::new(area.x, middle_y + middle_h, area.width, log_h);
        let status = Rect::new(
            area.x,
            area.y + area.height - status_h - timeline_h,
            area.width,
            status_h,
        );
        let timeline = if wide {
            Rect::new(area.x, area.y + area.height - timeline_h, area.width, timeline_h)
        } else {
            Rect::new(log.x + 1, log.y + log.height - 1, log.width.saturating_sub(2), 1)
        };
        Screen {
            banner,
            ring,
            nodes,
            inspector,
            log,
            status,
            timeline,
        }
    }

    /// How many node rows the nodes table has room for: its height less
    /// its top border and its header (it has no bottom border).
    pub fn node_rows(&self) -> usize {
        self.nodes.height.saturating_sub(2) as usize
    }

    /// The ring pane's drawing area, inside its border.
    pub fn ring_canvas(&self) -> Rect {
        inner(self.ring)
    }
}

/// A bordered pane's inside.
pub fn inner(r: Rect) -> Rect {
    Rect::new(r.x + 1, r.y + 1, r.width.saturating_sub(2), r.height.saturating_sub(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_tiles(area: Rect, s: &Screen) {
        let mut panes = vec![s.banner, s.ring, s.nodes, s.inspector, s.log, s.status];
        if s.timeline.height == 2 {
            panes.push(s.timeline);
        } else {
            // Over the log's bottom border, inside its corners.
            assert_eq!(s.timeline.y, s.log.y + s.log.height - 1, "{s:?}");
            assert_eq!(
                (s.timeline.x, s.timeline.width),
                (s.log.x + 1, s.log.width - 2),
                "{s:?}"
            );
        }
        let total: u32 = panes.iter().map(|r| r.width as u32 * r.height as u32).sum();
        assert_eq!(total, area.width as u32 * area.height as u32, "{s:?}");
        for (i, a) in panes.iter().enumerate() {
            assert!(area.contains(a.as_position()) || a.area() == 0, "{a:?}");
            for b in &panes[i + 1..] {
                assert!(!a.intersects(*b), "{a:?} overlaps {b:?}");
            }
        }
    }

    #[test]
    fn panes_tile_the_screen_at_every_supported_size() {
        for (w, h) in [(80, 24), (120, 40), (140, 45), (200, 60), (300, 100)] {
            for nodes in [1, 5, 64] {
                let area = Rect::new(0, 0, w, h);
                let s = Screen::compute(area, nodes);
                check_tiles(area, &s);
                assert!(s.ring.height >= 10 && s.log.height >= LOG_MIN, "{w}x{h}: {s:?}");
                assert!(s.inspector.height >= DETAIL_MIN, "{w}x{h} {nodes}: {s:?}");
                if nodes <= 5 {
                    assert!(s.nodes.height >= nodes as u16 + 2, "every node fits at {w}x{h}: {s:?}");
                }
            }
        }
    }

    #[test]
    fn the_ring_is_about_twice_as_wide_as_tall() {
        let s = Screen::compute(Rect::new(0, 0, 120, 40), 5);
        let c = s.ring_canvas();
        let ratio = c.width as f64 / c.height as f64;
        assert!((1.8..2.4).contains(&ratio), "{c:?}");
    }

    #[test]
    fn too_small_below_80_by_24() {
        assert!(Screen::fits(Rect::new(0, 0, 80, 24)));
        assert!(!Screen::fits(Rect::new(0, 0, 79, 40)));
        assert!(!Screen::fits(Rect::new(0, 0, 60, 20)));
    }
}
