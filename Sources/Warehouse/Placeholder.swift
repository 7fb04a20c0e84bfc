public enum WarehousePlaceholder {}
