# shellcheck shell=sh
# Sourced by test scripts in the emulated POWER host (shipped with -f):
# counts the host's IOMMU tables made and freed with two kprobe events
# (powernv allocates each in pnv_pci_table_alloc() and frees it through
# pnv_pci_ioda2_table_free_pages()); "tables" prints "MADE FREED".  A
# kernel without kprobe events says HS-NO-KPROBES.
hs_trace=/sys/kernel/tracing
[ -e $hs_trace/kprobe_events ] || mount -t tracefs nodev $hs_trace
echo "r:hs/tbl_made pnv_pci_table_alloc" >> $hs_trace/kprobe_events &&
echo "p:hs/tbl_freed pnv_pci_ioda2_table_free_pages" >> $hs_trace/kprobe_events &&
echo 1 > $hs_trace/events/hs/enable || echo HS-NO-KPROBES
tables() { echo "$(grep -c "tbl_made:" $hs_trace/trace) $(grep -c "tbl_freed:" $hs_trace/trace)"; }
