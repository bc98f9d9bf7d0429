public enum ChatServerPlaceholder {}
