// cytoscape, bundled apart from the application (like charts.js) so that
// only the network page loads it. It draws on a canvas and sets its few
// styles through the DOM (element.style), which the CSP allows; nothing is
// fetched from elsewhere. Its stylesheet is app.css (see drawGraph).
import cytoscape from 'cytoscape';

const STYLE = [
  { selector: 'node', style: { label: 'data(label)', 'font-size': 10, 'text-wrap': 'ellipsis', 'text-max-width': 120,
    'text-valign': 'bottom', 'text-margin-y': 4, color: '#1f2328', width: 18, height: 18 } },
  { selector: 'node[type = "report"]', style: { shape: 'round-rectangle', 'background-color': '#0b5cad', width: 22, height: 22 } },
  { selector: 'node[visibility = "hit"]', style: { 'background-color': '#ffffff', 'border-width': 2, 'border-style': 'dashed', 'border-color': '#6e7781' } },
  { selector: 'node[type = "selector"]', style: { shape: 'ellipse', 'background-color': '#bf8700' } },
  { selector: 'node[?generic]', style: { 'background-color': '#d0d7de' } },
  { selector: 'node[type = "hidden"]', style: { shape: 'round-rectangle', 'background-color': '#eaeef2', 'border-width': 1, 'border-color': '#6e7781', width: 26, height: 26 } },
  { selector: 'edge', style: { width: 1.5, 'line-color': '#8c959f', 'curve-style': 'straight' } },
  { selector: 'edge[!strong]', style: { 'line-style': 'dashed' } },
  { selector: ':selected', style: { 'border-width': 4, 'border-color': '#cf222e' } },
];

// Draw ELEMENTS ({nodes, edges} in cytoscape's data form) into EL. ONTAP
// is called with a node id when a node is tapped. Returns select(id),
// which highlights one node (used by the list beside it).
export function drawGraph(el, elements, ontap) {
  // cytoscape would add a <style> to the head (which the CSP refuses) unless
  // an element with its id is there; its one rule (position: relative on
  // the container) is in pages.css instead.
  if (!document.getElementById('__________cytoscape_stylesheet')) {
    document.head.append(Object.assign(document.createElement('meta'), { id: '__________cytoscape_stylesheet', name: 'cytoscape-style' }));
  }
  const cy = cytoscape({
    container: el, elements, style: STYLE, boxSelectionEnabled: false,
    layout: { name: 'cose', animate: false, randomize: false, nodeRepulsion: () => 8000, idealEdgeLength: () => 60 },
  });
  cy.on('tap', 'node', (ev) => ontap && ontap(ev.target.id()));
  window.addEventListener('resize', () => cy.resize());
  return {
    cy,
    select(id) {
      cy.$(':selected').unselect();
      const n = cy.getElementById(id);
      if (n.nonempty()) n.select();
    },
  };
}
