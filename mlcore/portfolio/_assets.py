"""The portfolio page's inline style sheet and script (the page loads nothing from outside).

The script sorts the projects table by the clicked header (``data-sort`` of each cell; numbers
for the columns marked ``data-type="number"``) and filters it by text, stage, open alerts and
staleness (``data-stage``, ``data-alerts``, ``data-stale`` of each row).
"""

__all__ = ["CSS", "SCRIPT"]

CSS = """
*{box-sizing:border-box}
body{margin:0;padding:16px 20px;font:13px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;
color:#1f2328;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.meta{color:#57606a;margin:0 0 10px;overflow-wrap:anywhere}
.summary{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 12px;padding:0;list-style:none}
.summary li{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:4px 10px}
.controls{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:0 0 10px}
.controls input[type=search]{width:260px;padding:4px 8px}
table{width:100%;border-collapse:collapse;table-layout:fixed}
th,td{border-bottom:1px solid #d0d7de;padding:6px;text-align:left;vertical-align:top;
overflow-wrap:anywhere}
th{background:#f6f8fa;cursor:pointer;user-select:none;position:sticky;top:0}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
tr.hidden{display:none}
small,.muted{color:#57606a}
.badge{display:inline-block;border-radius:10px;padding:0 7px;font-size:12px;font-weight:600}
.ok{background:#dafbe1;color:#116329}.bad{background:#ffebe9;color:#a40e26}
.warn{background:#fff8c5;color:#7d4e00}.none{background:#eaeef2;color:#57606a}
.stages{display:flex;gap:2px;margin-top:4px}.stages i{flex:1;height:5px;background:#d0d7de}
.stages i.on{background:#0969da}
ul.alerts{margin:0;padding-left:16px}
details summary{cursor:pointer;color:#0969da}
code{font-size:12px}
"""

SCRIPT = """
(function(){
  var table=document.getElementById('projects'),body=table.tBodies[0];
  var rows=Array.prototype.slice.call(body.rows);
  var q=document.getElementById('q'),stage=document.getElementById('stage');
  var alerts=document.getElementById('only-alerts'),stale=document.getElementById('only-stale');
  var shown=document.getElementById('shown');
  function filter(){
    var text=q.value.toLowerCase(),n=0;
    rows.forEach(function(r){
      var keep=(!text||r.textContent.toLowerCase().indexOf(text)>=0)
        &&(!stage.value||r.dataset.stage===stage.value)
        &&(!alerts.checked||r.dataset.alerts!=='0')&&(!stale.checked||r.dataset.stale==='1');
      r.classList.toggle('hidden',!keep);if(keep)n++;
    });
    shown.textContent=n+' of '+rows.length+' shown';
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){
    th.addEventListener('click',function(){
      var asc=th.getAttribute('aria-sort')!=='ascending',num=th.dataset.type==='number';
      Array.prototype.forEach.call(th.parentNode.cells,function(c){c.removeAttribute('aria-sort')});
      th.setAttribute('aria-sort',asc?'ascending':'descending');
      rows.sort(function(a,b){
        var x=a.cells[i].dataset.sort,y=b.cells[i].dataset.sort;
        var d=num?(parseFloat(x)||0)-(parseFloat(y)||0):x.localeCompare(y);
        return asc?d:-d;
      });
      rows.forEach(function(r){body.appendChild(r)});
    });
  });
  [q,stage,alerts,stale].forEach(function(e){e.addEventListener('input',filter)});
  filter();
})();
"""
