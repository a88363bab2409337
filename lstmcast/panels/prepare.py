"""Many series: now the workload of lstmcast/data/workload.py (a series is a panel of one)."""

from __future__ import annotations

from lstmcast.data.workload import Workload as PanelData
from lstmcast.data.workload import WorkloadPlan as PanelPlan
from lstmcast.data.workload import merged_state
from lstmcast.data.workload import plan_workload as plan_panel
from lstmcast.data.workload import prepare_workload as prepare_panel

__all__ = ["PanelData", "PanelPlan", "merged_state", "plan_panel", "prepare_panel"]
