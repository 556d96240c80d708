//! The ring's drawing coordinates: canvas bounds that keep the circle round
//! in cells twice as tall as wide, and the mapping between ring angles,
//! canvas points and screen cells (used to place labels and to find the
//! token under a mouse click).

use ratatui::layout::Rect;

use crate::core::ids::NodeId;
use crate::core::ring::Ring;

use crate::tui::anchors::{Anchor, angle};

/// Canvas units from the centre to the edge of the drawing: the ring has
/// radius 1, the rest is room for labels.
const MARGIN: f64 = 1.4;

/// The canvas area and its bounds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RingGeometry {
    pub area: Rect,
    pub x_bounds: [f64; 2],
    pub y_bounds: [f64; 2],
}

impl RingGeometry {
    pub fn new(area: Rect) -> RingGeometry {
        let w = area.width.max(1) as f64;
        let h = area.height.max(1) as f64;
        // A cell is about twice as tall as wide.
        let aspect = w / (2.0 * h);
        let (hw, hh) = if aspect >= 1.0 {
            (MARGIN * aspect, MARGIN)
        } else {
            (MARGIN, MARGIN / aspect)
        };
        RingGeometry {
            area,
            x_bounds: [-hw, hw],
            y_bounds: [-hh, hh],
        }
    }

    /// The canvas point at `angle` (clockwise from the top) and `radius`.
    pub fn point(angle: f64, radius: f64) -> (f64, f64) {
        (radius * angle.sin(), radius * angle.cos())
    }

    /// The canvas point of an anchor, at `radius` for ring positions.
    pub fn anchor_point(anchor: Anchor, radius: f64) -> (f64, f64) {
        match anchor {
            Anchor::Ring(pos) => RingGeometry::point(angle(pos), radius),
            Anchor::Centre => (0.0, 0.0),
        }
    }

    /// The screen cell of a canvas point, as the braille canvas paints it.
    pub fn cell(&self, x: f64, y: f64) -> Option<(u16, u16)> {
        let [left, right] = self.x_bounds;
        let [bottom, top] = self.y_bounds;
        if self.area.width == 0 || self.area.height == 0 || x < left || x > right || y < bottom || y > top {
            return None;
        }
        let px = ((x - left) * (self.area.width as f64 * 2.0 - 1.0) / (right - left)).round() as u16;
        let py = ((top - y) * (self.area.height as f64 * 4.0 - 1.0) / (top - bottom)).round() as u16;
        Some((self.area.x + px / 2, self.area.y + py / 4))
    }

    /// The node owning the token drawn nearest to a screen cell, within
    /// three cells.
    pub fn nearest_token(&self, ring: &Ring, col: u16, row: u16) -> Option<NodeId> {
        let mut best: Option<(u32, NodeId)> = None;
        for t in ring.tokens() {
            for radius in [1.0, 1.2] {
                let (x, y) = RingGeometry::point(angle(t.pos), radius);
                let Some((c, r)) = self.cell(x, y) else { continue };
                let dx = c.abs_diff(col) as u32;
                let dy = r.abs_diff(row) as u32 * 2;
                let d = dx * dx + dy * dy;
                if d <= 9 && best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, t.node));
                }
            }
        }
        best.map(|(_, n)| n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_circle_is_round_on_screen() {
        let g = RingGeometry::new(Rect::new(0, 0, 48, 23));
        let (l, _) = g.cell(-1.0, 0.0).unwrap();
        let (r, _) = g.cell(1.0, 0.0).unwrap();
        let (_, t) = g.cell(0.0, 1.0).unwrap();
        let (_, b) = g.cell(0.0, -1.0).unwrap();
        let width = (r - l) as f64;
        let height = (b - t) as f64;
        assert!((width / height - 2.0).abs() < 0.25, "{width} x {height}");
    }

    #[test]
    fn top_is_position_zero_and_the_ring_runs_clockwise() {
        let g = RingGeometry::new(Rect::new(10, 5, 40, 20));
        let (x, y) = RingGeometry::point(angle(0), 1.0);
        let (c, r) = g.cell(x, y).unwrap();
        assert_eq!(c, 10 + 20);
        assert!(r < 5 + 5);
        let (x, _) = RingGeometry::point(angle(u64::MAX / 4), 1.0);
        assert!(x > 0.99, "a quarter of the ring is to the right");
        assert_eq!(g.cell(5.0, 0.0), None);
    }

    #[test]
    fn a_click_finds_the_token_under_it() {
        let ring = Ring::new([(NodeId(0), vec![0]), (NodeId(1), vec![u64::MAX / 2])]);
        let g = RingGeometry::new(Rect::new(0, 0, 40, 20));
        let (x, y) = RingGeometry::point(angle(u64::MAX / 2), 1.0);
        let (c, r) = g.cell(x, y).unwrap();
        assert_eq!(g.nearest_token(&ring, c, r), Some(NodeId(1)));
        assert_eq!(g.nearest_token(&ring, c + 1, r), Some(NodeId(1)));
        let (x, y) = RingGeometry::point(0.0, 1.2);
        let (c, r) = g.cell(x, y).unwrap();
        assert_eq!(g.nearest_token(&ring, c, r), Some(NodeId(0)), "the label counts too");
        assert_eq!(g.nearest_token(&ring, 0, 10), None, "far from every token");
    }
}
